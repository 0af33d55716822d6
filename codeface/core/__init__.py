"""The engine: plain asyncio, no Qt, no vendor SDK imports."""
