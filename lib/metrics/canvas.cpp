#include "metrics/canvas.h"

#include <array>
#include <cstdlib>

namespace millrace::metrics {
namespace {

// Braille's dot numbering: dots 1-3 and 7 down the left column, 4-6 and 8 down the right; dot n
// is bit n-1 of the offset from U+2800.
constexpr std::array<std::array<std::uint8_t, 4>, 2> kBrailleBits = {{{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}}};
// Quadrants by their bits: 1 upper left, 2 upper right, 4 lower left, 8 lower right.
constexpr std::array<char32_t, 16> kQuadrants = {U' ',      U'\u2598', U'\u259D', U'\u2580', U'\u2596', U'\u258C',
                                                 U'\u259E', U'\u259B', U'\u2597', U'\u259A', U'\u2590', U'\u259C',
                                                 U'\u2584', U'\u2599', U'\u259F', U'\u2588'};
constexpr std::array<char, 4> kAscii = {' ', '\'', '.', ':'};

}  // namespace

std::string utf8(char32_t code) {
  std::string out;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  return out;
}

int Canvas::dot_columns(Glyphs glyphs) { return glyphs == Glyphs::ascii ? 1 : 2; }
int Canvas::dot_rows(Glyphs glyphs) { return glyphs == Glyphs::braille ? 4 : 2; }

Canvas::Canvas(int columns, int rows, Glyphs glyphs)
    : columns_(columns),
      rows_(rows),
      glyphs_(glyphs),
      dot_columns_(dot_columns(glyphs)),
      dot_rows_(dot_rows(glyphs)),
      dots_(static_cast<std::size_t>(columns * rows), 0),
      colours_(static_cast<std::size_t>(columns * rows), -1) {}

void Canvas::set(int x, int y, int colour) {
  if (x < 0 || y < 0 || x >= dots_across() || y >= dots_down()) return;
  int column = x / dot_columns_, row = y / dot_rows_, dx = x % dot_columns_, dy = y % dot_rows_;
  std::uint8_t bit = 0;
  switch (glyphs_) {
    case Glyphs::braille: bit = kBrailleBits[dx][dy]; break;
    case Glyphs::blocks: bit = static_cast<std::uint8_t>(1 << (dy * 2 + dx)); break;
    case Glyphs::ascii: bit = static_cast<std::uint8_t>(1 << dy); break;
  }
  auto cell = static_cast<std::size_t>(row * columns_ + column);
  dots_[cell] |= bit;
  colours_[cell] = colour;
}

void Canvas::line(int x0, int y0, int x1, int y1, int colour) {
  int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
  int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  for (int error = dx + dy;;) {
    set(x0, y0, colour);
    if (x0 == x1 && y0 == y1) return;
    int twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x0 += sx;
    }
    if (twice <= dx) {
      error += dx;
      y0 += sy;
    }
  }
}

std::string Canvas::glyph(int column, int row) const {
  std::uint8_t bits = dots_[static_cast<std::size_t>(row * columns_ + column)];
  switch (glyphs_) {
    case Glyphs::braille: return bits == 0 ? std::string(" ") : utf8(0x2800 + bits);
    case Glyphs::blocks: return utf8(kQuadrants[bits]);
    case Glyphs::ascii: break;
  }
  return std::string(1, kAscii[bits]);
}

int Canvas::colour(int column, int row) const { return colours_[static_cast<std::size_t>(row * columns_ + column)]; }

}  // namespace millrace::metrics
