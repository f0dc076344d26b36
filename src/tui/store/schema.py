"""The store's schema version, apart from the build code so that opening a store does
not import sqlite-utils and the YAML loader (they cost start-up time)."""

SCHEMA_VERSION = 4  # bump when the tables change: older stores are rebuilt by themselves
