// XML guard: a single-pass, linear pre-scan of a request body that runs before gSOAP parses it,
// so that hostile XML costs nothing. gSOAP itself silently skips a DTD (no entity is expanded,
// but the internal subset is skipped by counting angle brackets), maps unknown entities to
// HTML entity values or DEL, decodes `&#0;` and surrogate references as characters, keeps one
// linear list of every attribute name seen in a message and walks it on every element, and walks
// the namespace stack for every qualified name: floods of attributes or namespace declarations
// cost it seconds of CPU per megabyte. The guard refuses all of that up front, with a short
// message for a soapenv:Client fault.
//
// Decisions, as the real org's parser behaves: comments and CDATA sections are accepted (they
// are ordinary XML); a DOCTYPE, any `<!ENTITY`, and processing instructions other than the XML
// declaration are refused; the declared encoding must be UTF-8 (or absent).
// Pure functions over a string_view; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace omni {

// Every limit is inclusive (a value equal to the limit passes). The defaults admit every real
// client's envelope of 200 records by a wide margin while keeping gSOAP's parse linear.
struct XmlLimits {
  size_t max_depth = 64;                     // nested open elements
  size_t max_attributes = 64;                // attributes (xmlns included) on one element
  size_t max_namespace_decls = 32;           // xmlns / xmlns:p on one element
  size_t max_namespace_decls_in_scope = 64;  // declarations visible at once (open elements)
  // gSOAP walks a list of every attribute name seen on every element: this bounds that walk.
  // zeep declares one xmlns prefix per sObject, so a 200-record call needs ~210 of them.
  size_t max_distinct_attribute_names = 512;  // distinct attribute names in the whole body
  // distinct attribute names x elements: ~14 ns of gSOAP's time each, so ~85 ms at the bound
  size_t max_attribute_name_work = 6u * 1000u * 1000u;
  size_t max_elements = 500000;                  // elements in the whole body
  size_t max_text_length = 32u * 1024u * 1024u;  // bytes of one text node or attribute value
  size_t max_name_length = 256;                  // bytes of one element or attribute name
};

// nullopt when the body may be handed to gSOAP; otherwise a short message for a soapenv:Client
// fault. The message quotes at most ~40 bytes of the offending input, with its byte offset.
std::optional<std::string> CheckEnvelope(std::string_view body, const XmlLimits& limits = {});

}  // namespace omni
