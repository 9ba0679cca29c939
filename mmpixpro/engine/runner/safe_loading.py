"""Checkpoints read with torch's safe unpickler unless a config opts out."""
from mmpixpro.converters.safe_load import unsafe_load


class SafeLoadingMixin:
    """Checkpoints are read safely (``weights_only`` with an allow-list,
    see ``mmpixpro/converters/safe_load.py``) in ``train``, ``val`` and
    ``test``; a config with ``unsafe_load = True`` opts in to the full
    unpickler for files that need more, only for files the user trusts."""

    def _unsafe_load(self):
        enabled = bool(self.cfg.get('unsafe_load', False))
        if enabled:
            self.logger.warning(
                'unsafe_load=True: checkpoints are read with the full '
                'unpickler, which runs any code a file holds; use it only '
                'for files you trust.')
        return unsafe_load(enabled)

    def train(self):
        with self._unsafe_load():
            return super().train()

    def val(self):
        with self._unsafe_load():
            return super().val()

    def test(self):
        with self._unsafe_load():
            return super().test()
