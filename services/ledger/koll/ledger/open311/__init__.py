"""Open311 GeoReport v2 under /open311/v2/: what FixMyStreet-style tools and city systems speak.

A jurisdiction is an area; its services are the area's public categories (restricted and
internal ones are never offered or listed); a service request is a case. Requests are filed
with `api_key` = a reporter's token and are idempotent: the same report sent again (a client's
retry) is the same request, never a second one. JSON and XML, and Open311's own error format.
"""
