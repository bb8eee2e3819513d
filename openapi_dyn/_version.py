"""The package's version.  In the bottom layer, so that any module can name
it (the ``User-Agent``, the cache's stamps) without importing the public
namespace, ``openapi_dyn/__init__.py``, which is the top."""
__version__ = "0.1.0"
