"""The staff pages: server-rendered HTML over the same services and sign-in as the API.

``creditfactory.web.router.router`` holds every page under ``/ui``; ``creditfactory.server``
puts it on the application beside the API.
"""
