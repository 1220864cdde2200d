"""The network layer: one resolver, one fetcher, one page parser. Checks reach the network only through these."""
