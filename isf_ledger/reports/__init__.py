"""Reports: plain dicts in the contract's shape, built from read models and aggregates.

Every report takes an optional `as_at` (a fixed-width UTC instant): rows and
events recorded after it are left out, so a past statement is reproduced
exactly. Rendering to text, HTML or CSV is `adapters/render`'s job.
"""
