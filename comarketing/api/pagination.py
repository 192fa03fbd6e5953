from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from utilities.paginator import COUNT_CAP, CappedCountPaginator


class Pagination(PageNumberPagination):
    """Pages whose cost does not grow with what the user can see: `count` is exact up to COUNT_CAP results;
    beyond, it is COUNT_CAP and `count_capped` is true (follow `next` to read further)."""

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": min(paginator.count, COUNT_CAP),
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = f"How many results there are, counted up to {COUNT_CAP}."
        properties["count_capped"] = {
            "type": "boolean",
            "description": f"True when there are more than {COUNT_CAP} results (`count` says {COUNT_CAP}).",
        }
        properties = {name: properties[name] for name in ("count", "count_capped", "next", "previous", "results")}
        return {**response, "required": ["count", "count_capped", "results"], "properties": properties}
