from .atomic_checkpoint_hook import AtomicCheckpointHook
from .channels_last_hook import ChannelsLastHook
from .finite_loss_hook import FiniteLossHook
from .progress_bar_hook import ProgressBarHook

__all__ = [
    'AtomicCheckpointHook', 'ChannelsLastHook', 'FiniteLossHook',
    'ProgressBarHook'
]
