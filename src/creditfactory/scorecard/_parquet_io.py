"""Parquet in and out for :func:`~creditfactory.scorecard.score_table`, at the least CPU.

Reading: one pass over the file, mapped, the card's text features read as their
dictionaries (codes and levels, what the scorer takes), every other column as it is stored.

Writing: each column's encoding and codec follow what they achieved in the input file. A
column that the input's codec could not shrink (random floats under Snappy: a ratio of 1.00)
is written uncompressed, since compressing it again only spends CPU; a column stored compactly
as a dictionary (a few distinct values) stays a dictionary; statistics are written for
``score`` and ``pd``, the columns a reader filters the output on. The file is an ordinary
Parquet file with the same schema, rows and values as with pyarrow's defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["read_for_scoring", "write_options"]

# what the input's codec must have saved for the output to spend CPU on the same codec
_WORTH_COMPRESSING = 0.9
# a fixed-width column whose stored data is under this share of its plain width is a dictionary
_COMPACT_DICTIONARY = 0.5
# Parquet's codec names (ColumnChunkMetaData.compression) as pyarrow's writer spells them
_CODECS = {"UNCOMPRESSED": "none", "SNAPPY": "snappy", "GZIP": "gzip", "BROTLI": "brotli",
           "ZSTD": "zstd", "LZ4": "lz4", "LZ4_RAW": "lz4"}
NEW_COLUMNS = ("score", "pd")


def read_for_scoring(p: Path, text_features: set[str], memory_map: bool
                     ) -> tuple[pa.Table, pq.FileMetaData, dict[str, pa.DataType]]:
    """The file's table, with the text columns named in ``text_features`` read as
    dictionaries (when they occur once), the file's metadata and the columns so read, with
    their types as stored (a dictionary's levels are ``string`` even for ``large_string``).

    A mapped file is read in place (pre-buffering would copy it once more): its columns may
    then point into the file, which must not be overwritten while the table lives.
    """
    import pyarrow.parquet as pq

    # ParquetFile, not read_table: the dataset layer behind read_table imports pandas
    with pq.ParquetFile(p, memory_map=memory_map, pre_buffer=not memory_map) as source:
        schema, metadata = source.schema_arrow, source.metadata
        names = schema.names
        coded = {f.name: f.type for f in schema if f.name in text_features
                 and names.count(f.name) == 1 and _is_text(f.type)}
        if not coded:
            return source.read(), metadata, coded
    with pq.ParquetFile(p, memory_map=memory_map, pre_buffer=not memory_map,
                        metadata=metadata, read_dictionary=list(coded)) as source:
        return source.read(), metadata, coded


def write_options(table: pa.Table, source: pq.FileMetaData | None) -> dict[str, Any]:
    """Keyword arguments of ``pq.write_table`` for ``table``, read from a file whose metadata
    is ``source`` (None: not a Parquet file, pyarrow's defaults with text as dictionaries).

    Examples
    --------
    >>> import io, random, pyarrow as pa, pyarrow.parquet as pq
    >>> sink, draw = io.BytesIO(), random.Random(0)
    >>> pq.write_table(pa.table({"x": [draw.random() for _ in range(1000)], "k": [1.0, 2.0] * 500,
    ...                          "t": ["a", "b"] * 500}), sink)
    >>> out = pa.table({"x": [0.1], "k": [1.0], "t": ["a"], "score": [1.0], "pd": [0.5]})
    >>> opts = write_options(out, pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata)
    >>> opts["compression"]["x"], opts["use_dictionary"], opts["write_statistics"]
    ('none', ['k', 't'], ['score', 'pd'])
    """
    import pyarrow as pa

    text = [f.name for f in table.schema if _is_text(f.type)]
    if source is None:
        return {"use_dictionary": text}
    chunks = _chunk_totals(source)
    compression: dict[str, str] = {}
    dictionary = set(text)
    for field in table.schema:
        total = chunks.get(field.name)
        if total is None:  # new (score, pd) or nested: continuous floats gain nothing
            compression[field.name] = "none" if field.name in NEW_COLUMNS else "snappy"
            continue
        codec, packed, stored, values, has_dictionary = total
        shrunk = packed < _WORTH_COMPRESSING * stored
        compression[field.name] = _CODECS.get(codec, "snappy") if shrunk else "none"
        width = _byte_width(field.type)
        if (has_dictionary and width and not pa.types.is_boolean(field.type)
                and stored < _COMPACT_DICTIONARY * width * values):
            dictionary.add(field.name)
    return {"compression": compression,
            "use_dictionary": [n for n in table.column_names if n in dictionary],
            "write_statistics": [n for n in NEW_COLUMNS if n in table.column_names]}


def _chunk_totals(source: pq.FileMetaData) -> dict[str, tuple[str, int, int, int, bool]]:
    """Per top-level column: its codec (when one for all row groups), compressed and
    uncompressed bytes, values, and whether every chunk has a dictionary page."""
    totals: dict[str, tuple[str, int, int, int, bool]] = {}
    for g in range(source.num_row_groups):
        group = source.row_group(g)
        for i in range(group.num_columns):
            chunk = group.column(i)
            path = chunk.path_in_schema
            if "." in path:  # a nested leaf: no single column to set options for
                continue
            codec, packed, stored, values, dictionary = totals.get(
                path, (chunk.compression, 0, 0, 0, True))
            totals[path] = (codec if codec == chunk.compression else "SNAPPY",
                            packed + chunk.total_compressed_size,
                            stored + chunk.total_uncompressed_size,
                            values + chunk.num_values,
                            dictionary and chunk.has_dictionary_page)
    return totals


def _is_text(kind: pa.DataType) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _byte_width(kind: pa.DataType) -> int:
    """Bytes per value of a fixed-width type; 0 for the others (text, nested, dictionary)."""
    try:
        bits = kind.bit_width
    except ValueError:
        return 0
    return bits // 8
