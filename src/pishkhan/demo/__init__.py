"""The demo city and its history (``manage.py load_demo_city``): one builder module per app
whose data it makes, run in order by :mod:`pishkhan.demo.city`. The top of the layers:
it may use every app, and no app uses it."""
