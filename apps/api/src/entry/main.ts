import { exitUnlessSupportedNode } from './supported-node';

exitUnlessSupportedNode();
await import('../main');
