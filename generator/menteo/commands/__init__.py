"""One module per `menteo` command (`common` holds what several share); `menteo.cli` wires them."""
