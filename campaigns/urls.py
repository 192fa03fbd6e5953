from django.urls import path

from campaigns.pages import views

app_name = "campaigns"

urlpatterns = [
    path("brand-assets/<int:pk>/download/", views.brand_asset_download, name="brand-asset-download"),
    path("budget-lines/<int:pk>/receipt/", views.budget_receipt_download, name="budget-receipt"),
    path("comments/<int:pk>/attachment/", views.comment_attachment, name="comment-attachment"),
    path("campaigns/<int:campaign_id>/kpis.csv", views.kpi_export, name="kpi-export"),
    path("results-reports/<int:pk>/results.<str:kind>", views.results_report_download, name="results-report"),
]
