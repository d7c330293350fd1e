"""Arrow columns in the form the compiled scorer reads, without a detour through pandas.

A numeric feature's column becomes a float64 array (nulls as NaN); a text or integer
categorical feature's column becomes :class:`Levels`: the position of every row's level in a
list of the distinct levels (-1 for a null), which is what ``pandas.factorize`` would give.
Columns of other types (text in a numeric feature, dates, decimals) go through pandas as
before, so every input scores exactly as its pandas form does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from creditfactory.scorecard._compiled import Levels

__all__ = ["arrow_column", "float_array"]


def arrow_column(column: pa.ChunkedArray, numeric: bool) -> Any:
    """``column`` as float64 values (``numeric``), as :class:`Levels`, or as a pandas Series.

    Examples
    --------
    >>> arrow_column(pa.chunked_array([[1, None, 3]]), numeric=True).tolist()
    [1.0, nan, 3.0]
    >>> arrow_column(pa.chunked_array([["a", None, "b", "a"]]), numeric=False)
    Levels(codes=array([ 0, -1,  1,  0], dtype=int32), uniques=['a', 'b'])
    >>> arrow_column(pa.chunked_array([pa.DictionaryArray.from_arrays(
    ...     pa.array([1, None, 0], pa.int32()), pa.array(["a", "b"]))]), numeric=False)
    Levels(codes=array([ 1, -1,  0], dtype=int32), uniques=['a', 'b'])
    """
    kind = column.type
    if pa.types.is_dictionary(kind):
        if not numeric and column.num_chunks == 1 and _text_dictionary(kind):
            chunk = column.chunk(0)
            return Levels(_numpy(chunk.indices, np.int32, -1), chunk.dictionary.to_pylist())
        column = column.cast(kind.value_type)
        kind = column.type
    if numeric and (pa.types.is_floating(kind) or pa.types.is_integer(kind)
                    or pa.types.is_boolean(kind)):
        values = _one_array(column)
        if kind != pa.float64():
            values = values.cast(pa.float64(), safe=False)
        return _numpy(values, np.float64, np.nan)
    if not numeric and (pa.types.is_string(kind) or pa.types.is_large_string(kind)
                        or pa.types.is_integer(kind)):
        encoded = _one_array(column).dictionary_encode()
        return Levels(_numpy(encoded.indices, np.int32, -1), encoded.dictionary.to_pylist())
    return column.to_pandas()


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array: its only chunk as it is (``combine_chunks`` would copy it)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _text_dictionary(kind: pa.DataType) -> bool:
    """Text levels behind int32 codes: what Parquet's dictionary pages read into."""
    value = kind.value_type
    return pa.types.is_int32(kind.index_type) and (pa.types.is_string(value)
                                                    or pa.types.is_large_string(value))


def _numpy(array: pa.Array, dtype: type[np.generic], null: float) -> np.ndarray:
    """A NumPy array of a fixed-width Arrow array with ``null`` for its nulls, built from its
    buffers (``Array.to_numpy`` and ``fill_null`` would import pandas)."""
    n, start = len(array), array.offset
    if n == 0:
        return np.empty(0, dtype=dtype)
    validity, data = array.buffers()[:2]
    values = np.frombuffer(data, dtype=dtype, count=start + n)[start:]
    if not array.null_count:
        return values
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=start + n,
                         bitorder="little")[start:]
    values = values.copy()
    values[bits == 0] = null
    return values


def float_array(values: np.ndarray) -> pa.Array:
    """A float64 Arrow array over ``values``' memory (``pa.array`` would import pandas)."""
    data = np.ascontiguousarray(values, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), data.size, [None, pa.py_buffer(data)])
