"""Simulated platforms: real ASGI apps imitating each platform kind, with fault switches."""
