"""The HTTP API, one router per resource; each route is a thin skin over a function of `index`."""
