from .photometric import (PhotometricDataPreprocessor, apply_photometric,
                          check_photometric_applied)

__all__ = [
    'PhotometricDataPreprocessor', 'apply_photometric',
    'check_photometric_applied'
]
