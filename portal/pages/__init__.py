"""The portal's views, by what they are for; `portal/routes.py` says who may use each."""
