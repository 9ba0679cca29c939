"""Quieter mmengine logging for tools that build models outside a Runner."""
import contextlib
import logging
import warnings
from typing import Iterator, Union

from mmengine.logging import MMLogger


@contextlib.contextmanager
def quiet_mmengine(level: Union[int, str] = logging.WARNING,
                   ignore_warnings: bool = False) -> Iterator[None]:
    """Raise the current MMLogger's level to ``level`` (default WARNING) for
    the block, and restore it after, also on error.

    Without a log file, mmengine's ``init_weights`` prints every parameter's
    initialisation and its checkpoint loader lists every unexpected key.
    ``ignore_warnings`` also silences Python warnings (the deprecations
    mmdet and mmseg emit as configs import them).
    """
    logger = MMLogger.get_current_instance()
    previous = logger.level
    logger.setLevel(level)
    try:
        with warnings.catch_warnings():
            if ignore_warnings:
                warnings.simplefilter('ignore')
            yield
    finally:
        logger.setLevel(previous)
