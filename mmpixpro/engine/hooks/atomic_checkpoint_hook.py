"""mmengine's CheckpointHook with saves that cannot lose the run."""
import os
import os.path as osp
import weakref

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS as MMENGINE_HOOKS

from mmpixpro.utils.atomic_write import atomic_write, partial_files
from mmpixpro.engine.runner.work_dir_lock import (acquire_work_dir_lock,
                                                  release_work_dir_lock)


@MMENGINE_HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) whose saves are atomic and prune
    only after success.

    mmengine 0.10.7's ``_save_checkpoint_with_step`` first deletes the
    oldest kept checkpoint, then writes the new one straight to its final
    name, then overwrites ``last_checkpoint``: with ``max_keep_ckpts=1`` a
    kill, Ctrl-C or full disk during the write leaves nothing to resume
    from. Here, on the main process:

    1. the checkpoint is written to a temporary file in the same folder,
       flushed, fsynced and renamed to its name;
    2. ``last_checkpoint`` is replaced the same way;
    3. only then are the checkpoints beyond ``max_keep_ckpts`` deleted.

    A failed write removes the temporary file, leaves the previous
    checkpoint and ``last_checkpoint`` as they were, and raises an
    ``OSError`` naming the path. Temporary files left by a killed process
    are removed at the next ``before_train``: only the ones the writer
    names (``.NAME.mmpixpro-partial-XXXXXXXX.tmp``, see
    :func:`mmpixpro.utils.atomic_write.is_partial_file`), never a user's
    own ``.*.tmp``.

    Runners without ``WorkDirLockMixin`` (mmdet's and mmseg's) get the
    work-directory lock from this hook: the main process takes it at
    ``before_train`` and lets go of it after the run (or when the runner
    is collected, or the process ends). Registered in mmengine's root
    registry, so mmdet's and mmseg's scopes find it too. Non-local backends
    (``backend_args`` for object stores) and ``save_best`` checkpoints keep
    mmengine's behaviour.
    """

    def before_train(self, runner) -> None:
        if is_main_process() and not getattr(runner, '_work_dir_locked',
                                             False):
            # Before anything here touches the folder (the lock raises if
            # another run holds it).
            if acquire_work_dir_lock(runner.work_dir, runner.logger):
                self._unlock = weakref.finalize(runner, release_work_dir_lock,
                                                runner.work_dir)
        super().before_train(runner)
        if is_main_process() and self._local():
            for tmp in partial_files(self.out_dir):
                try:
                    os.remove(tmp)
                    runner.logger.info(
                        f'removed {tmp}, left by an interrupted save')
                except OSError:
                    pass

    def after_run(self, runner) -> None:
        super().after_run(runner)
        unlock = getattr(self, '_unlock', None)
        if unlock is not None:
            unlock()  # runs once

    def _local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._local():
            return super()._save_checkpoint_with_step(runner, step, meta)
        hub = runner.message_hub
        old_info = {key: hub.get_info(key)
                    for key in ('keep_ckpt_ids', 'last_ckpt')}
        to_prune, keep = [], None
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and
                                            self.keep_ckpt_ids[-1] == step):
            ids = list(self.keep_ckpt_ids) + [step]
            to_prune = ids[:-self.max_keep_ckpts]
            keep = ids[-self.max_keep_ckpts:]
            # The checkpoint records the list as it will be after pruning,
            # as mmengine's does.
            hub.update_info('keep_ckpt_ids', keep)
        ckpt_filename = self.filename_tmpl.format(step)
        last_ckpt = self.file_backend.join_path(self.out_dir, ckpt_filename)
        hub.update_info('last_ckpt', last_ckpt)
        try:
            self._write(runner, ckpt_filename, meta)
        except BaseException:
            for key, value in old_info.items():
                if value is not None:
                    hub.update_info(key, value)
            raise
        self.last_ckpt = last_ckpt
        if keep is not None:
            self.keep_ckpt_ids.clear()
            self.keep_ckpt_ids.extend(keep)
        if not is_main_process():
            return
        atomic_write(
            osp.join(runner.work_dir, 'last_checkpoint'),
            lambda f: f.write(last_ckpt.encode()))
        for old in to_prune:
            path = self.file_backend.join_path(self.out_dir,
                                               self.filename_tmpl.format(old))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                self.file_backend.rmtree(path)

    def _write(self, runner, ckpt_filename: str, meta) -> None:
        """The checkpoint under its final name, through a temporary file:
        ``runner.save_checkpoint`` (which builds the checkpoint dict and
        calls the ``before_save_checkpoint`` hooks) is handed a writer that
        fills the temporary file."""
        path = osp.join(self.out_dir, ckpt_filename)
        if not is_main_process():
            # mmengine's save_checkpoint is master_only; keep the call so
            # every rank runs the same code.
            self._save(runner, self.out_dir, ckpt_filename, meta)
            return

        def write(f):
            tmp_dir, tmp_name = osp.split(f.name)
            self._save(runner, tmp_dir, tmp_name, meta)

        atomic_write(path, write)

    def _save(self, runner, out_dir, filename, meta) -> None:
        runner.save_checkpoint(
            out_dir,
            filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
