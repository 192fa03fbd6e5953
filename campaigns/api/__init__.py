"""API viewsets, one module per area; comarketing/api/router.py registers them."""
