def test_it_seeds(db):
    from django.core.management import call_command

    call_command("seed_demo")
