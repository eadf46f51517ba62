"""The embedded local AWS emulator (moto server) behind `target: local`."""
