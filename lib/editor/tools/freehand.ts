/**
 * Freehand tool: a drag traces the outline; on release it is simplified to about one screen pixel and closed
 * into a new polygon of the active class.
 */
import { simplifyTrace } from '../geometry';
import { closeOutline } from './polygon';
import { strokeTool } from './stroke';

export const freehandTool = strokeTool('freehand', 'trace', (points, input) => closeOutline(simplifyTrace(points, input.scale), input));
