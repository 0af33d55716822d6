"""Model providers on their official SDKs. SDKs are imported lazily, on first use."""
