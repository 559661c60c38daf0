"""Reporting: the category catalogue, reports (案卷), their timeline, media,
verification (核查) and satisfaction (回访评价)."""
