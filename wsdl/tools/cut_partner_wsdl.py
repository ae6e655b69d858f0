#!/usr/bin/env python3
"""Cuts Salesforce's partner WSDL v44 down to the operations omni-emulator implements.

    wsdl/tools/cut_partner_wsdl.py ../shared/reference/wsdl/salesforce-partner-v44.wsdl wsdl/partner.wsdl

Keeps, verbatim, the element and type definitions those operations need (the transitive closure
of every type they name), the header parts listed in HEADERS, the fault schema, and the messages,
portType operations and binding operations of OPERATIONS; so names, namespaces and types on the
wire stay exactly Salesforce's. A maintenance tool: the build uses the committed wsdl/partner.wsdl.
"""
import re
import sys

OPERATIONS = ["login", "describeSObject", "describeSObjects", "describeGlobal", "create", "update",
              "upsert", "delete", "undelete", "retrieve", "logout", "getDeleted", "getUpdated",
              "query", "queryAll", "queryMore", "getServerTimestamp", "getUserInfo",
              "setPassword", "resetPassword"]
HEADERS = ["SessionHeader", "CallOptions", "QueryOptions", "AllOrNoneHeader"]
COMMENT = """<!--
omni-emulator partner WSDL: the subset of Salesforce's Partner Web Services API v44.0 that the
emulator implements. Namespaces, element names and types are those of Salesforce's partner WSDL
v44.0 (generated 2018-09-15), so that clients built from Salesforce's own WSDL talk to the emulator
unchanged; only the operations the emulator does not implement are left out. The gSOAP bindings in
generated/ are built from this file. soap:address is rewritten to the running server when served.
Made by wsdl/tools/cut_partner_wsdl.py.
-->"""


def block(src, kind, name):
    """The whole <kind name="name"> definition, nesting-aware (the source's indentation varies)."""
    # Top-level definitions only (indented at most 12 columns): nested local elements such as a
    # type's <element name="query"> must not be taken for the operation element <query>.
    m = re.search(r'^ {0,12}<%s name="%s"(?=[ />])' % (kind, re.escape(name)), src, re.M)
    if not m:
        return None
    tag_end = src.index(">", m.end())
    if src[tag_end - 1] == "/":
        return src[m.start():tag_end + 1]
    depth, pos = 1, tag_end + 1
    pattern = re.compile(r"<(/?)%s\b[^>]*?(/?)>" % kind)
    while depth:
        t = pattern.search(src, pos)
        if t.group(1):
            depth -= 1
        elif not t.group(2):
            depth += 1
        pos = t.end()
    return src[m.start():pos]


def schema(src, ns):
    m = re.search(r'<schema [^>]*targetNamespace="%s"' % re.escape(ns), src)
    start = m.start()
    end = src.index("</schema>", start) + len("</schema>")
    return src[start:end]


def main(src_path, out_path):
    src = open(src_path).read()
    tns = schema(src, "urn:partner.soap.sforce.com")
    # Closure over tns types and elements reachable from the operations' wrappers and headers.
    wanted_elements = [e for op in OPERATIONS for e in (op, op + "Response")] + HEADERS
    done_types, done_elements, out_blocks = set(), set(), []
    queue = [("element", e) for e in wanted_elements]
    while queue:
        kind, name = queue.pop(0)
        if kind == "element":
            if name in done_elements:
                continue
            done_elements.add(name)
            text = block(tns, "element", name)
        else:
            if name in done_types:
                continue
            done_types.add(name)
            text = block(tns, "complexType", name) or block(tns, "simpleType", name)
        if text is None:
            continue  # an ens: or fns: type, kept by whole schema below
        out_blocks.append((kind, name, text))
        for ref in re.findall(r'(?:type|base)="tns:([A-Za-z0-9_]+)"', text):
            queue.append(("type", ref))
        # Derived types of a kept type (xsi:type polymorphism) are kept too.
        if kind == "type":
            for derived in re.findall(r'<complexType name="([A-Za-z0-9_]+)">\s*<complexContent>\s*'
                                      r'<extension base="tns:%s"' % re.escape(name), tns):
                queue.append(("type", derived))
    # Keep the original order of the schema.
    out_blocks.sort(key=lambda b: tns.index(b[2]))
    head = tns[:tns.index(">") + 1]
    body = "\n".join(b[2] for b in out_blocks)
    new_tns = (head + '\n\n            <import namespace="urn:sobject.partner.soap.sforce.com"/>\n\n'
               + body + "\n        </schema>")

    out = src[:src.index("<types>") + len("<types>")] + "\n        "
    out += schema(src, "urn:sobject.partner.soap.sforce.com") + "\n\n        " + new_tns
    out += "\n\n        " + schema(src, "urn:fault.partner.soap.sforce.com") + "\n    </types>\n\n"

    header_msg = block(src, "message", "Header")
    header_msg = "\n".join(l for l in header_msg.split("\n")
                           if "<part" not in l or any('name="%s"' % h in l for h in HEADERS))
    out += header_msg + "\n"
    for fault in re.findall(r'<message name="([A-Za-z]+Fault)">', src):
        out += block(src, "message", fault) + "\n"
    for op in OPERATIONS:
        out += block(src, "message", op + "Request") + "\n"
        out += block(src, "message", op + "Response") + "\n"
    port = src[src.index("<portType"):src.index("</portType>")]
    out += "\n    " + port[:port.index(">") + 1] + "\n"
    for op in OPERATIONS:
        out += block(port, "operation", op) + "\n"
    out += "    </portType>\n\n"
    binding = src[src.index("<binding"):src.index("</binding>")]
    out += "    " + binding[:binding.index("<operation")].strip() + "\n"
    for op in OPERATIONS:
        text = block(binding, "operation", op)
        text = "\n".join(l for l in text.split("\n")
                         if "<soap:header" not in l or re.search(r'part="(%s)"' % "|".join(HEADERS), l))
        out += text + "\n"
    out += "    </binding>\n\n" + src[src.index("    <!-- Soap Service Endpoint -->"):]
    out = re.sub(r"<!--\s*Salesforce.com Partner Web Services API.*?-->", COMMENT, out, count=1,
                 flags=re.S)
    out = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", out)
    open(out_path, "w").write(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
