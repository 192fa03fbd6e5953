"""API of comments: threads on deliverables, flags, KPIs, meetings and decisions (`?target_kind=…&target_id=…`)."""

from django.urls import reverse
from rest_framework import serializers

from campaigns.models import Comment
from campaigns.selectors.comments import visible_target
from campaigns.services.comments import comment_save
from partners.scoping.api import ScopedModelSerializer, ScopedModelViewSet


class CommentSerializer(ScopedModelSerializer):
    author_name = serializers.CharField(source="author.full_name", read_only=True, allow_null=True, default=None)
    attachment_url = serializers.SerializerMethodField()
    mentioned = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "campaign",
            "target_kind",
            "target_id",
            "text",
            "only_my_company",
            "organization",
            "author",
            "author_name",
            "mentioned",
            "attachment_url",
            "attachment_name",
            "created_at",
            "edited_at",
        ]
        read_only_fields = ["campaign", "organization", "author", "attachment_name", "created_at", "edited_at"]

    def get_attachment_url(self, comment: Comment) -> str | None:
        if not comment.attachment:
            return None
        return self.context["request"].build_absolute_uri(reverse("campaigns:comment-attachment", args=[comment.pk]))

    def validate(self, data):
        if self.instance is None:
            visible_target(self.context["request"].user, data.get("target_kind"), data.get("target_id"))
        return data

    def save_instance(self, instance):
        return comment_save(comment=instance, user=self.context["request"].user)


class CommentViewSet(ScopedModelViewSet):
    """Comments on the work, oldest first. A comment marked `only_my_company` is seen by its author's company
    alone; only its author edits it (its earlier text stays in the history); comments are never deleted. Attachments
    are uploaded in the admin and downloaded through `attachment_url`."""

    queryset = Comment.objects.select_related("author").prefetch_related("mentioned")
    serializer_class = CommentSerializer
    filterset_fields = ["campaign", "target_kind", "target_id", "only_my_company"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
