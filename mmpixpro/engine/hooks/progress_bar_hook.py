"""A progress bar with ETA over the whole training run, for short runs on a
terminal (the README's main job); the logger's lines stay as they are."""
import sys

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from mmpixpro.registry import HOOKS


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Draw mmengine's ``ProgressBar`` (done/total iterations, speed, elapsed,
    ETA) on the main process, one tick per training iteration. A resumed run
    counts from where it resumed."""

    priority = 'LOW'

    def __init__(self, file=None) -> None:
        self.file = file
        self.bar = None

    def before_train(self, runner) -> None:
        if is_main_process():
            remaining = max(runner.max_iters - runner.iter, 0)
            self.bar = ProgressBar(remaining, file=self.file or sys.stdout)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self.bar is not None:
            self.bar.update()

    def after_train(self, runner) -> None:
        if self.bar is not None:
            self.bar.file.write('\n')
            self.bar.file.flush()
            self.bar = None
