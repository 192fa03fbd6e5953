from utilities.tracking_links import tracking_link, utm_source_of


def test_it_adds_the_companys_utm_parameters_and_keeps_the_rest():
    url = "https://events.example/webinar?lang=de&utm_source=old#register"

    link = tracking_link(url, source=utm_source_of("Bluefin Consulting"), campaign="Data Day 2026")

    assert link == (
        "https://events.example/webinar?lang=de&utm_source=bluefin-consulting&utm_medium=partner"
        "&utm_campaign=data-day-2026#register"
    )
