"""mmpretrain 1.2.0 next to transformers >= 5: ``mmpretrain.models`` fails
to import unless mmpixpro is imported first. A fake transformers 5 (an
empty package with dist-info metadata) stands in for the real one."""
import subprocess
import sys
import textwrap

import pytest

from tests.utils import REPO


@pytest.fixture
def fake_transformers(tmp_path):
    pkg = tmp_path / 'transformers'
    pkg.mkdir()
    # What mmpretrain imports unguarded from the top level of transformers 5
    # still exists (any name gives a class); the transformers 4 modules its
    # BLIP code imports under try/except do not.
    (pkg / '__init__.py').write_text(
        'from .models.auto.auto_factory import _BaseAutoModelClass\n'
        'class PreTrainedModel: pass\n'
        'def __getattr__(name):\n'
        '    return type(name, (_BaseAutoModelClass,), {})\n')
    auto = pkg / 'models' / 'auto'
    auto.mkdir(parents=True)
    (pkg / 'models' / '__init__.py').write_text('')
    (auto / '__init__.py').write_text('')
    (auto / 'auto_factory.py').write_text('class _BaseAutoModelClass: pass\n')
    info = tmp_path / 'transformers-5.0.0.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: transformers\nVersion: 5.0.0\n')
    return str(tmp_path)


def run(code, path):
    return subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={'PYTHONPATH': path + ':' + REPO, 'PATH': '/usr/bin:/bin'})


def test_mmpretrain_models_import_after_mmpixpro(fake_transformers):
    proc = run("""
        import mmpixpro
        import mmpretrain.models
        from mmpretrain.models import ResNet, BYOL
        from mmpretrain.utils.dependency import WITH_MULTIMODAL
        print('ok', WITH_MULTIMODAL)
        """, fake_transformers)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'ok False' in proc.stdout


def test_fake_takes_mmpretrain_down_the_multimodal_path(fake_transformers):
    """Guards the test above: without mmpixpro, mmpretrain sees the fake as
    transformers >= 4.28 and would import its multi-modal models (with the
    real transformers 5.17 that raises ``TypeError: NoneType takes no
    arguments``, seen on the GPU machine)."""
    proc = run("""
        from mmpretrain.utils.dependency import WITH_MULTIMODAL
        print('multimodal', WITH_MULTIMODAL)
        """, fake_transformers)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'multimodal True' in proc.stdout


def test_no_change_without_transformers_5(monkeypatch):
    from mmpixpro.utils import mmpretrain_compat
    monkeypatch.setattr(mmpretrain_compat, 'installed_transformers_version',
                        lambda: '4.40.0')
    assert mmpretrain_compat.keep_mmpretrain_importable() is False
