"""Demo step: a thread on the webinar's landing page, with a mention across companies and a note Northwind keeps to
itself (Bluefin's logins never see it)."""

from typing import Any

from campaigns.models import Comment, Deliverable
from campaigns.services.comments import comment_save
from partners import demo
from partners.models import Person


def _say(deliverable: Deliverable, email: str, text: str, *, only_my_company: bool = False) -> None:
    author = Person.objects.select_related("user", "organization").get(email=email)
    comment = Comment(
        target_kind="deliverable",
        target_id=deliverable.pk,
        author=author,
        organization=author.organization,
        text=text,
        only_my_company=only_my_company,
    )
    comment_save(comment=comment, user=author.user)


@demo.register
def seed_comments(context: dict[str, Any]) -> None:
    page = Deliverable.objects.filter(campaign=context["webinar"]).order_by("due_date", "pk").first()
    _say(page, "priya@northwind.example", "First draft is up.\n@Sofia Rossi can you check the speaker bios?")
    _say(
        page,
        "sofia@bluefin.example",
        "Bios look good. One logo is the old one: our current one is in the brand assets.",
    )
    _say(
        page,
        "priya@northwind.example",
        "Their legal is slow: if the review is not back by Thursday, @Sam Chen escalates.",
        only_my_company=True,
    )
