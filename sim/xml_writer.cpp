#include "xml_writer.h"

#include <cassert>

#include "xml_safe.h"

namespace doelpoort::sim {

void XmlWriter::indent() { out_.append(static_cast<std::size_t>(2 * depth_), ' '); }

XmlWriter& XmlWriter::open(std::string_view name, std::string_view attributes) {
  indent();
  out_.append("<").append(name);
  if (!attributes.empty()) out_.append(" ").append(attributes);
  out_.append(">\n");
  open_.emplace_back(name);
  ++depth_;
  return *this;
}

XmlWriter& XmlWriter::close() {
  assert(!open_.empty());
  --depth_;
  indent();
  out_.append("</").append(open_.back()).append(">\n");
  open_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::leaf(std::string_view name, std::string_view text) {
  indent();
  out_.append("<").append(name).append(">").append(xml::escape(text)).append("</").append(name).append(">\n");
  return *this;
}

XmlWriter& XmlWriter::optional_leaf(std::string_view name, std::string_view text) {
  return text.empty() ? *this : leaf(name, text);
}

XmlWriter& XmlWriter::empty(std::string_view name, std::string_view attributes) {
  indent();
  out_.append("<").append(name);
  if (!attributes.empty()) out_.append(" ").append(attributes);
  out_.append("/>\n");
  return *this;
}

std::string XmlWriter::take() {
  assert(open_.empty());
  return std::move(out_);
}

}  // namespace doelpoort::sim
