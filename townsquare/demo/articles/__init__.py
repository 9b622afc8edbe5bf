"""The articles the demo's members share, as their cards would have been extracted.

The sites are fictional (``.example`` addresses), so the demo needs no network: seeding
stores each card directly, and the images ship in ``web/static/demo/``.
"""
