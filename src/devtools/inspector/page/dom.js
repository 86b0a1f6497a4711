// @ts-check
/**
 * Small DOM helpers of the inspector page. Text always goes in through `textContent` and SVG is
 * built element by element from data, so nothing a session carries is ever parsed as markup.
 */

/** @typedef {import('../../diagram/svg.js').SvgElement} SvgElement */

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An HTML element with a class and text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The element with this id; the page's own markup has every id it asks for.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`inspector page: no #${id}`);
  return node;
}

/**
 * SVG elements from the drawing's data.
 * @param {SvgElement} element
 * @returns {SVGElement}
 */
export function svgNode(element) {
  const node = document.createElementNS(SVG_NS, element.tag);
  for (const [key, value] of Object.entries(element.attrs)) {
    if (key !== 'xmlns') node.setAttribute(key, String(value));
  }
  for (const child of element.children) {
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : svgNode(child));
  }
  return node;
}

/**
 * `12:04:31.207`.
 * @param {number} ms
 * @returns {string}
 */
export function clock(ms) {
  const d = new Date(ms);
  return `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * `1.2 s`.
 * @param {number} ms
 * @returns {string}
 */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}
