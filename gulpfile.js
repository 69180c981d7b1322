const { src, dest } = require('gulp');

// tsc only emits JavaScript: the node's icons and codex file must sit beside the compiled node.
function copyIcons() {
	return src(['nodes/**/*.{png,svg,json}', 'credentials/**/*.{png,svg}'], { base: '.' }).pipe(
		dest('dist'),
	);
}

exports['build:icons'] = copyIcons;
