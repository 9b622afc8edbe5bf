"""The product: every operation a member can do, one function each, both faces call them."""
