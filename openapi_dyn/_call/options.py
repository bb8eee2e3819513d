"""The keyword arguments of a call that are options, not spec parameters.

One list, read by the client (splitting a call's arguments), the binder
(which body fields may be keywords) and the reference (which parameters must
be written ``"query.timeout"`` because their plain name is taken).
"""

#: ``body`` first; a spec parameter with one of these names is addressed as
#: ``"<in>.<name>"`` (``"query.timeout"``), a body field through ``body=``.
CALL_OPTIONS = ("body", "headers", "timeout", "validate", "max_retries", "content_type",
                "save_to", "validate_responses")
