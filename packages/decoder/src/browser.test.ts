import * as browser from './browser';
import * as node from './index';
import { describeBrowserEntry } from '../../../scripts/browser-entry';

/** The names only the Node entry has: they read runs, open video files and write checkpoints and PNG files. */
const NODE_ONLY = [
  'encodePng', 'writePng', 'frozenRunConfig', 'loadFrozenRun', 'openRunClips', 'decoderConfigForRun', 'savedDecoderState', 'trainDecoder', 'showDecoder',
];

describeBrowserEntry({ browser, node, nodeOnly: NODE_ONLY, shared: ['PixelDecoder', 'DecoderTrainStep', 'decodingSheet'] });
