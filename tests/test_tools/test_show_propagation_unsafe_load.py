"""tools/analysis/show_propagation.py has the tools' --unsafe-load opt-in:
without it a checkpoint that needs the full unpickler is refused (the
payload does not run) with the flag named; with it the file is read with
the full unpickler (the payload runs)."""
import numpy as np
import pytest
from PIL import Image

from tests.utils import SMALL_CONFIG, load_tool_main
from tests.test_tools.test_safe_loading import assert_refused, crafted

show_propagation = load_tool_main('analysis', 'show_propagation.py')


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'photo.png'
    Image.fromarray(np.random.default_rng(0).integers(
        0, 256, (64, 64, 3), np.uint8)).save(path)
    return str(path)


def test_refused_without_the_flag(tmp_path, capsys, image):
    path, marker = crafted(tmp_path, 'zip')
    out = tmp_path / 'out.png'
    assert show_propagation([SMALL_CONFIG, path, image, '--out',
                             str(out)]) == 1
    assert_refused(capsys.readouterr().err, path, marker)
    assert not out.exists()


def test_the_flag_opts_in(tmp_path, capsys, image):
    path, marker = crafted(tmp_path, 'zip')
    out = tmp_path / 'out.png'
    try:  # the crafted file holds no model weights: it fails after loading
        show_propagation([SMALL_CONFIG, path, image, '--out', str(out),
                          '--unsafe-load'])
    except Exception:  # noqa: BLE001
        pass
    assert marker.exists()
