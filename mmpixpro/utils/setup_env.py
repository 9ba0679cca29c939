"""Registration of every mmpixpro module and the default scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every module that registers something, and (by default) make
    ``mmpixpro`` the default scope, as ``default_scope='mmpixpro'`` does."""
    from mmpretrain.utils import \
        register_all_modules as register_mmpretrain_modules

    import mmpixpro.datasets  # noqa: F401
    import mmpixpro.engine  # noqa: F401
    import mmpixpro.models  # noqa: F401
    register_mmpretrain_modules(init_default_scope=False)

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmpixpro'):
        DefaultScope.get_instance('mmpixpro', scope_name='mmpixpro')
    elif current.scope_name != 'mmpixpro':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "mmpixpro"; a new one is created.')
        DefaultScope.get_instance(
            f'mmpixpro-{datetime.datetime.now()}', scope_name='mmpixpro')
