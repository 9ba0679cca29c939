from .photometric import (PhotometricDataPreprocessor, apply_photometric,
                          check_photometric_applied,
                          unapplied_photometric_message)

__all__ = [
    'PhotometricDataPreprocessor', 'apply_photometric',
    'check_photometric_applied', 'unapplied_photometric_message'
]
