"""The demonstration dataset generator (示例数据生成器).

``generate(out, scale, seed)`` builds the dataset (:mod:`etl.demo.build`), writes it as a
bureau would hand it over (:mod:`etl.demo.writer`), measures the written files by an
independent route (:mod:`etl.demo.report`), checks that exactly the planted problems are
there (:mod:`etl.demo.verify`) and writes the README that documents them
(:mod:`etl.demo.readme`). Same seed, same bytes.
"""

from etl.demo.generate import SCALES, GeneratedDataset, default_out_dir, generate

__all__ = ["SCALES", "GeneratedDataset", "default_out_dir", "generate"]
