from .photometric import PhotometricDataPreprocessor, apply_photometric

__all__ = ['PhotometricDataPreprocessor', 'apply_photometric']
