// Canvas: a grid of terminal cells drawn as dots, each cell one character.
//
// braille: 2x4 dots a cell (U+2800..U+28FF), the finest a terminal shows; blocks: 2x2 dots a
// cell as quadrant block elements (U+2596..U+259F, with ▀ ▄ ▌ ▐ █), for fonts without braille;
// ascii: 1x2 dots a cell as ' (top), . (bottom) and : (both), for anything else.
//
// Dots are addressed from the top left, x to the right and y down. Each cell remembers the
// colour (a series' index) of the last dot set in it: where lines cross, the later wins.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace millrace::metrics {

enum class Glyphs { braille, blocks, ascii };

class Canvas {
 public:
  Canvas(int columns, int rows, Glyphs glyphs);

  int columns() const { return columns_; }
  int rows() const { return rows_; }
  int dots_across() const { return columns_ * dot_columns_; }
  int dots_down() const { return rows_ * dot_rows_; }
  // Dots a cell holds across and down: 2x4, 2x2 or 1x2.
  static int dot_columns(Glyphs glyphs);
  static int dot_rows(Glyphs glyphs);

  // Sets the dot at (x, y) in `colour`; a dot outside the canvas is ignored.
  void set(int x, int y, int colour);
  // Sets the dots of the straight line from (x0, y0) to (x1, y1), both ends included
  // (Bresenham's).
  void line(int x0, int y0, int x1, int y1, int colour);

  // The cell's character, UTF-8 (a space when it has no dot), and the colour of its last dot
  // (-1 when it has none).
  std::string glyph(int column, int row) const;
  int colour(int column, int row) const;

 private:
  int columns_, rows_;
  Glyphs glyphs_;
  int dot_columns_, dot_rows_;
  std::vector<std::uint8_t> dots_;  // a bit per dot of each cell, row-major
  std::vector<int> colours_;
};

// The UTF-8 text of code point `code` (below U+10000).
std::string utf8(char32_t code);

}  // namespace millrace::metrics
