"""Pishkhan: a city's urban-planning services through government counter offices."""
