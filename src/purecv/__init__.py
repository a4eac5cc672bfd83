"""purecv: OpenCV's image filters as short Python kernels compiled by Numba.

``import purecv as cv2`` keeps a script working for the functions purecv covers: the same names, argument
order, defaults and integer constants as ``cv2`` 5.0.0, bit-identical integer results, and float results
within the tolerances stated in each docstring.
"""

from . import constants
from ._jit import getNumThreads, setNumThreads
from .color import cvtColor
from .constants import *  # noqa: F403 (cv2's flat namespace of constants)
from .filters.box import blur, box_blur, boxFilter, sqrBoxFilter
from .filters.deriv import Laplacian, Scharr, Sobel, getDerivKernels
from .filters.gaussian import GaussianBlur, getGaussianKernel
from .filters.linear import filter2D
from .filters.separable import sepFilter2D
from .filters.stackblur import stackBlur
from .io import haveImageReader, haveImageWriter, imdecode, imencode, imread, imwrite

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "blur",
    "boxFilter",
    "cvtColor",
    "filter2D",
    "GaussianBlur",
    "getDerivKernels",
    "getGaussianKernel",
    "Laplacian",
    "Scharr",
    "sepFilter2D",
    "Sobel",
    "box_blur",
    "sqrBoxFilter",
    "stackBlur",
    "getNumThreads",
    "haveImageReader",
    "haveImageWriter",
    "imdecode",
    "imencode",
    "imread",
    "imwrite",
    "setNumThreads",
    *constants.__all__,
]
