"""Parquet in and out for :func:`~creditfactory.scorecard.score_table`, at the least CPU.

Reading: one pass over the file, mapped, in blocks of rows, the card's text features read as
their dictionaries (codes and levels, what the scorer takes), every other column as stored.

Writing: text features go back to the file as the dictionaries they were read as. Each
column's encoding and codec follow what they achieved in the input file. A
column that the input's codec could not shrink (random floats under Snappy: a ratio of 1.00)
is written uncompressed, since compressing it again only spends CPU; a column stored compactly
as a dictionary (a few distinct values) stays a dictionary; statistics are written for
``score`` and ``pd``, the columns a reader filters the output on. The file is an ordinary
Parquet file with the same schema, rows and values as with pyarrow's defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["BLOCK_ROWS", "ScoringInput", "open_writer", "read_for_scoring", "write_options"]

# rows read, scored and written at a time: one block's buffers serve the next (no page
# faults on fresh memory for every column of the file), and the output gets a row group of
# ~34 MB per block at 33 float columns
BLOCK_ROWS = 1 << 17

# what the input's codec must have saved for the output to spend CPU on the same codec
_WORTH_COMPRESSING = 0.9
# a fixed-width column whose stored data is under this share of its plain width is a dictionary
_COMPACT_DICTIONARY = 0.5
# Parquet's codec names (ColumnChunkMetaData.compression) as pyarrow's writer spells them
_CODECS = {"UNCOMPRESSED": "none", "SNAPPY": "snappy", "GZIP": "gzip", "BROTLI": "brotli",
           "ZSTD": "zstd", "LZ4": "lz4", "LZ4_RAW": "lz4"}
NEW_COLUMNS = ("score", "pd")


class ScoringInput(NamedTuple):
    """A table to score as blocks of rows, with what writing the scored copy needs."""

    blocks: Iterator[pa.Table]
    metadata: pq.FileMetaData | None  # None: not a Parquet file
    coded: dict[str, pa.DataType]  # text features read as dictionaries -> their stored type
    index_columns: set[str]  # columns holding a pandas index, not data


def read_for_scoring(p: Path, text_features: set[str], memory_map: bool,
                     streamed: bool = True) -> ScoringInput:
    """The file's rows in blocks of :data:`BLOCK_ROWS` (``streamed``) or as one table, with
    the text columns named in ``text_features`` read as dictionaries (when they occur once).

    A dictionary's levels are ``string`` even for a ``large_string`` column: ``coded`` keeps
    the stored type. A mapped file is read in place (pre-buffering would copy it once more):
    its blocks may point into the file, which must not be overwritten while they live.
    """
    import pyarrow.parquet as pq

    # ParquetFile, not read_table: the dataset layer behind read_table imports pandas
    with pq.ParquetFile(p, memory_map=memory_map, pre_buffer=not memory_map) as source:
        schema, metadata = source.schema_arrow, source.metadata
    names = schema.names
    coded = {f.name: f.type for f in schema if f.name in text_features
             and names.count(f.name) == 1 and _is_text(f.type)}
    index = {c for c in (schema.pandas_metadata or {}).get("index_columns", [])
             if isinstance(c, str)}
    source = pq.ParquetFile(p, memory_map=memory_map, pre_buffer=not memory_map,
                            metadata=metadata, read_dictionary=list(coded) or None)
    return ScoringInput(_blocks(source, streamed), metadata, coded, index)


def _blocks(source: pq.ParquetFile, streamed: bool) -> Iterator[pa.Table]:
    import pyarrow as pa

    with source:
        if not streamed:
            yield source.read()
            return
        for batch in source.iter_batches(batch_size=BLOCK_ROWS, use_threads=False):
            yield pa.Table.from_batches([batch])


def open_writer(p: Path, schema: pa.Schema, source: pq.FileMetaData | None,
                coded: dict[str, pa.DataType]) -> pq.ParquetWriter:
    """A Parquet writer of tables of ``schema``, whose ``coded`` columns (text features read
    as dictionaries) are stored as the text they were: their codes and levels go to the
    file's dictionary pages as they are, without decoding every row and hashing it again, and
    the file's Arrow schema (``ARROW:schema``, what readers restore types from) names their
    text type, so the file is the one ``pq.write_table`` writes for the decoded table.
    """
    import base64

    import pyarrow as pa
    import pyarrow.parquet as pq

    stored = pa.schema([f.with_type(coded[f.name])
                        if f.name in coded and pa.types.is_dictionary(f.type) else f
                        for f in schema])
    options = write_options(stored, source)
    if stored.equals(schema):
        return pq.ParquetWriter(p, schema, **options)
    writer = pq.ParquetWriter(p, schema, store_schema=False, **options)
    # what store_schema=True writes: the IPC-serialised schema, base64
    writer.add_key_value_metadata(
        {"ARROW:schema": base64.b64encode(stored.serialize().to_pybytes()).decode("ascii")})
    return writer


def write_options(schema: pa.Schema, source: pq.FileMetaData | None) -> dict[str, Any]:
    """Keyword arguments of ``pq.ParquetWriter`` for a table of ``schema`` read from a file
    whose metadata is ``source`` (None: not Parquet; pyarrow's defaults, text as dictionaries).

    Examples
    --------
    >>> import io, random, pyarrow as pa, pyarrow.parquet as pq
    >>> sink, draw = io.BytesIO(), random.Random(0)
    >>> pq.write_table(pa.table({"x": [draw.random() for _ in range(1000)], "k": [1.0, 2.0] * 500,
    ...                          "t": ["a", "b"] * 500}), sink)
    >>> out = pa.table({"x": [0.1], "k": [1.0], "t": ["a"], "score": [1.0], "pd": [0.5]})
    >>> opts = write_options(out.schema, pq.ParquetFile(io.BytesIO(sink.getvalue())).metadata)
    >>> opts["compression"]["x"], opts["use_dictionary"], opts["write_statistics"]
    ('none', ['k', 't'], ['score', 'pd'])
    """
    import pyarrow as pa

    text = [f.name for f in schema if _is_text(f.type)]
    if source is None:
        return {"use_dictionary": text}
    chunks = _chunk_totals(source)
    compression: dict[str, str] = {}
    dictionary = set(text)
    for field in schema:
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
            "use_dictionary": [n for n in schema.names if n in dictionary],
            "write_statistics": [n for n in NEW_COLUMNS if n in schema.names]}


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
