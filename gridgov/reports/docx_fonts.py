"""Chinese fonts in Word styles, done once for every document gridgov writes."""

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_font(style, name: str, size=None) -> None:
    """Word takes East Asian glyphs from w:eastAsia, and a theme attribute overrides it, so the theme ones go."""
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), name)
    if size is not None:
        style.font.size = size


def mark_chinese(style) -> None:
    """Mark East Asian text as zh-CN: Word's proofing and LibreOffice's font fallback both go by it."""
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
