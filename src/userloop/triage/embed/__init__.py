"""Embedders: ``base`` (the protocol), one module per implementation (``use_m3``, ``hashing``,
``sentence_transformers``) and ``registry`` (``build_embedder`` by name, as in settings)."""
