"""``openapi-dyn mcp``: the operations of any spec served as MCP tools over
stdio, on the official ``mcp`` Python SDK (the ``[mcp]`` extra).

The tools are :func:`openapi_dyn._agents.tools.tool_definitions` in the ``"mcp"``
format, computed once at start-up; a call goes through
:func:`openapi_dyn._agents.tool_calls.call_tool` (validated before sending, problems and
API errors returned as tool errors) in a worker thread, so a slow API never
blocks the protocol.  Only the served tools can be called: a name outside the
selection (a DELETE left out because writes were not allowed) is refused
like an unknown one.

Safe by default: only operations that change nothing (GET, HEAD, OPTIONS,
QUERY) are served unless ``--allow-write`` is given or ``--operations`` names
them; the annotations say which tools read, which destroy and which are
idempotent.  With ``--dry-run`` a call is validated and prepared but not
sent: the answer is the request, secrets masked.

What the server sends: JSON answers as text and as ``structuredContent``,
text as text, binary answers as an embedded resource (base64 with its media
type), event streams collected into ``{"events": [...]}``.  Credentials come
from the environment or the profile, are masked out of every result, and
never reach the log (standard error: how many tools are served, then one
line per call, tool name and outcome, never the arguments).
"""
from __future__ import annotations

import logging
import sys
from typing import Any, Dict, Optional

from .._errors import _MCPUnavailable as MCPUnavailable

logger = logging.getLogger("openapi_dyn.mcp")


def _sdk():
    try:
        import anyio
        import mcp_types
        from mcp.server.lowlevel import Server
        from mcp.server.stdio import stdio_server
        from mcp.shared.exceptions import MCPError
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise MCPUnavailable("the MCP server needs the mcp package: pip install 'openapi_dyn[mcp]'") from exc
    return anyio, mcp_types, Server, stdio_server, MCPError


def content_for(result, name: str, types) -> Dict[str, Any]:
    """The ``CallToolResult`` fields for a :class:`~openapi_dyn.ToolResult`."""
    if result.binary:
        info = result.content
        blob = types.BlobResourceContents(uri=f"openapi-dyn://result/{name}", mime_type=info["media_type"],
                                          blob=info["base64"])
        text = f"binary answer: {info['size']} bytes of {info['media_type']} (embedded resource, base64)"
        return {"content": [types.TextContent(text=text), types.EmbeddedResource(resource=blob)],
                "is_error": False}
    out: Dict[str, Any] = {"content": [types.TextContent(text=result.text)], "is_error": result.is_error}
    if isinstance(result.content, dict) and not result.is_error:
        out["structured_content"] = result.content
    return out


def build_server(client, *, prefix: str = "", names: str = "operationId", operations: Any = None,
                 tags: Any = None, search: Optional[str] = None, read_only: bool = False,
                 allow_write: bool = False, dry_run: bool = False, refs: str = "defs"):
    """An ``mcp`` low-level ``Server`` offering the chosen operations of
    ``client`` as tools (see :func:`openapi_dyn._agents.tools.tool_definitions`)."""
    from .._version import __version__
    from .tool_calls import call_tool
    from .tools import tool_definitions

    anyio, types, Server, _, MCPError = _sdk()
    from mcp_types.jsonrpc import INVALID_PARAMS

    definitions = tool_definitions(client, "mcp", operations=operations, tags=tags, search=search,
                                   prefix=prefix, names=names, read_only=read_only,
                                   allow_write=allow_write, refs=refs)
    listed = types.ListToolsResult(tools=[types.Tool.model_validate(d) for d in definitions])
    served = {d["name"] for d in definitions}

    async def on_list_tools(ctx, params):
        return listed

    async def on_call_tool(ctx, params):
        name = params.name
        if name not in served:
            logger.info("tools/call %s: no such tool", name)
            raise MCPError(code=INVALID_PARAMS, message=f"unknown tool: {name}")
        result = await anyio.to_thread.run_sync(lambda: call_tool(client, name, params.arguments or {},
                                                                  prefix=prefix, dry_run=dry_run))
        outcome = "error" if result.is_error else "ok"
        kind = result.content.get("error") if result.is_error and isinstance(result.content, dict) else None
        logger.info("tools/call %s: %s%s%s", name, outcome, f" {kind}" if kind else "",
                    f" HTTP {result.status}" if result.status else "")
        return types.CallToolResult(**content_for(result, name, types))

    title = client.spec.title or "OpenAPI"
    logger.info("serving %d tool(s) of %s%s", len(definitions), title, " (dry run)" if dry_run else "")
    api = title if title.split()[-1:] == ["API"] or " API " in f" {title} " else f"{title} API"
    doing = ("prepared and returned without being sent (dry run)" if dry_run
             else "validated against its OpenAPI description before sending")
    return Server(prefix or "openapi-dyn", version=__version__, title=f"{title} (openapi-dyn)",
                  instructions=f"Tools calling the {api}: one per operation, arguments {doing}.",
                  on_list_tools=on_list_tools, on_call_tool=on_call_tool)


def serve(client, **selection: Any) -> None:
    """Serve the chosen operations of ``client`` over stdio until the host
    closes standard input."""
    anyio, _, _, stdio_server, _ = _sdk()
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="openapi-dyn mcp: %(levelname)s %(message)s")
    logger.setLevel(logging.INFO)
    server = build_server(client, **selection)

    async def run() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(run)
