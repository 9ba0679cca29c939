"""Checkpoints that fill the whole model, or a clear refusal."""
from typing import Union

from mmengine.model import is_model_wrapper


def mismatch_hint(model, message: str) -> str:
    """Which config options a load error's missing or unexpected keys
    point to, e.g. ``' (check model.head.predictor.num_transform_layers)'``.

    The hints are data of the model class (``checkpoint_key_options``: key
    fragment -> config option, see ``PixPro``), not of the runner: which
    option adds which state-dict keys is the model's layout, and a new
    model or option updates its own table. Models without one get none.
    """
    hints = [
        option
        for fragment, option in getattr(model, 'checkpoint_key_options', ())
        if fragment in message
    ]
    return f' (check {" and ".join(hints)})' if hints else ''


class StrictLoadingMixin:
    """Checkpoints load strictly (``load_from`` and ``--resume``): every
    tensor of the model is filled or the run stops, naming the config option
    that likely differs. mmengine's default only warns, which would leave
    e.g. a PPM transform of another depth randomly initialised."""

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, object] = 'cpu',
                        strict: bool = True,
                        revise_keys: list = [(r'^module.', '')]):
        try:
            return super().load_checkpoint(filename, map_location, strict,
                                           revise_keys)
        except RuntimeError as e:
            if 'key' not in str(e):
                raise
            model = (self.model.module
                     if is_model_wrapper(self.model) else self.model)
            raise RuntimeError(
                f'checkpoint {filename} does not fit this model'
                f'{mismatch_hint(model, str(e))}:\n{e}') from None
